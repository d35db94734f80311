from . import test_outbox
from . import test_delivery
from . import test_claim_locking
from . import test_inbound
from . import test_inbound_robustness
from . import test_inbound_fuzz
from . import test_health
from . import test_security
