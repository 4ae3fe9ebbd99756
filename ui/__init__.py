"""UI: the Streamlit boards, their service layer, email digests and exports."""
