"""Placeholder: this screen is being built."""

import streamlit as st

st.info("Màn hình này đang được xây dựng.")
