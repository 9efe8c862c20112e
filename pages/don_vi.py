"""stub"""
import streamlit as st

st.title("don_vi")
