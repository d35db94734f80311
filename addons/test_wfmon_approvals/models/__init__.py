from . import test_wfmon_document
from . import purchase_order
