"""The weekly Social ID report: figures, rendering (text + HTML) and sending (SMTP)."""
