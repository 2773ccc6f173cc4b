"""Registration: allocation (first come, waitlist, promotion), the lottery, who may see an
event (audience) and check-in codes."""
