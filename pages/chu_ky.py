"""stub"""
import streamlit as st

st.title("chu_ky")
