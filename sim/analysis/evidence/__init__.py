"""Evidence: virtual replications of the studies, and natural experiments in the record."""
