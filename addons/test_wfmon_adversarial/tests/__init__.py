from . import test_rpc_attacks
