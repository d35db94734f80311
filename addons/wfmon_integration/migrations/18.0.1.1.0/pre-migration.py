"""Deliveries no longer pass through a committed "sending" state: the
dispatcher's claim is now a row lock held by its transaction.  A delivery left
in "sending" by the former lease-based dispatcher is simply due again."""


def migrate(cr, version):
    if not version:
        return
    cr.execute("UPDATE wfmon_webhook_delivery SET state = 'pending' WHERE state = 'sending'")
