"""Templates of the scheme's attachments (see README.md here)."""
