"""Time attendance (考勤, A3/A4): the holiday calendar, shifts, clock records from attendance
terminals, the daily and monthly computation, corrections and the attendance bill by SMS."""
