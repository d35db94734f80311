from . import test_case_lifecycle
from . import test_detection
from . import test_sla
from . import test_escalation
from . import test_monitors
from . import test_audit
from . import test_security
from . import test_reporting
