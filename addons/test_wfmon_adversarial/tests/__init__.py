from . import test_rpc_attacks
from . import test_advisory_attacks
from . import test_plain_language
