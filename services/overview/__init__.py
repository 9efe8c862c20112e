"""Views that serve both rounds (the home page); they may import both phases, the phases never import them."""
