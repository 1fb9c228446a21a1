"""Pages of the applications app, split by workflow (public form, review, formation,
instructors)."""
