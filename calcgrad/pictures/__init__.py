"""matplotlib figures (the optional extra calcgrad[plot]); nothing else in calcgrad imports this."""
