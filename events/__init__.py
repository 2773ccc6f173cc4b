"""Events: webinars and mokumoku-kai, registration, waitlist and lottery, check-in, attendance."""
