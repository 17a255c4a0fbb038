"""The central body's console: trial requests, onboarding and comparison figures."""

from config.settings.env import env

# Work email domains accepted for a trial request without the central body's say-so. A
# domain matches a suffix when it equals it or ends with "." + it. The central body adds
# exceptions in the console (console.AllowedEmailDomain).
CONSOLE_PUBLIC_SECTOR_EMAIL_SUFFIXES = env.list(
    "CONSOLE_PUBLIC_SECTOR_EMAIL_SUFFIXES",
    default=[
        "gov.uk",
        "gov.scot",
        "gov.wales",
        "llyw.cymru",
        "nhs.uk",
        "nhs.scot",
        "scot.nhs.uk",
        "police.uk",
        "mod.uk",
        "parliament.uk",
        "parliament.scot",
        "ac.uk",
        "sch.uk",
    ],
)
# How many proxies (ingress, load balancer) append to X-Forwarded-For in front of the app.
# 0 trusts only REMOTE_ADDR; behind one ingress set 1, or every visitor shares its address
# and the per-address limit below applies to everyone at once.
CLIENT_IP_PROXY_COUNT = env.int("CLIENT_IP_PROXY_COUNT", default=0)
# Trial requests accepted per client IP per hour, and per email address per day.
CONSOLE_TRIAL_REQUESTS_PER_IP_HOUR = env.int("CONSOLE_TRIAL_REQUESTS_PER_IP_HOUR", default=5)
CONSOLE_TRIAL_REQUESTS_PER_EMAIL_DAY = env.int("CONSOLE_TRIAL_REQUESTS_PER_EMAIL_DAY", default=3)
# How long the "confirm your email" link in a trial request works.
CONSOLE_TRIAL_CONFIRM_HOURS = env.int("CONSOLE_TRIAL_CONFIRM_HOURS", default=72)
CONSOLE_DEFAULT_TRIAL_DAYS = env.int("CONSOLE_DEFAULT_TRIAL_DAYS", default=90)
# Comparison figures: any count below this is shown as "<N", and so is any figure derived
# from fewer cases (medians, percentages, averages).
CONSOLE_SMALL_NUMBER = env.int("CONSOLE_SMALL_NUMBER", default=5)
