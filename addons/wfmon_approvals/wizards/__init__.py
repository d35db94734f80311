from . import wfmon_approval_decide
