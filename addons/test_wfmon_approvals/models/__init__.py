from . import test_wfmon_document
