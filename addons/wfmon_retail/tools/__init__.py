from . import retail_rules
