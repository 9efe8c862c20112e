"""stub"""
import streamlit as st

st.title("bao_cao")
