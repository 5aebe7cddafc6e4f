"""What people read: the council report (document, text, PDF, HTML) and the figures."""
