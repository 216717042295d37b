"""Gunicorn reads this file from the working directory.

The access log gives the path without its query string and no referrer: a search for a name
(?q=...) must not end up in a log file.
"""

access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'
