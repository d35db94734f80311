from . import wfmon_secret_reveal
