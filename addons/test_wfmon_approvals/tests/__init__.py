from . import test_guarded_document
from . import test_purchase_order
