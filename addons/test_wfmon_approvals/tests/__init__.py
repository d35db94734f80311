from . import test_guarded_document
