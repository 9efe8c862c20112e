"""stub"""
import streamlit as st

st.title("tong_hop")
