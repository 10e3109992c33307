"""The Gradio web UI: pure rendering (render), the document library, feedback and the server."""
