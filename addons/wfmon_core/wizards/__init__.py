from . import wfmon_case_resolve
