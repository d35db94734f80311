from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..tools.sender import active_secrets
from ..tools.signing import generate_secret

ADMIN_GROUP = "wfmon_core.group_wfmon_admin"


class WfmonSecretMixin(models.AbstractModel):
    """A Standard Webhooks secret (``whsec_`` + base64) on a record: readable by
    monitoring administrators only, displayed once, rotated with an overlap
    during which the previous secret still counts.

    Inherited by webhook endpoints (the secret signs what we send) and inbound
    sources (it verifies what we receive). A model sets
    ``_wfmon_secret_required = False`` when an empty secret is allowed (every
    request is then refused) instead of being replaced by a new one, and
    extends :meth:`_wfmon_secret_texts` to word its chatter messages.
    """

    _name = "wfmon.secret.mixin"
    _description = "Records with a webhook secret"

    #: whether writing an empty secret generates a new one
    _wfmon_secret_required = True

    secret = fields.Char(
        copy=False,
        groups=ADMIN_GROUP,
        help="Standard Webhooks secret (whsec_ + base64). Readable by administrators only.",
    )
    previous_secret = fields.Char(copy=False, groups=ADMIN_GROUP)
    previous_secret_until = fields.Datetime(
        string="Previous Secret Valid Until",
        copy=False,
        readonly=True,
        help="Until then the previous secret counts too.",
    )
    secret_hint = fields.Char(readonly=True, copy=False, help="Last characters of the secret.")
    secret_shown = fields.Boolean(
        readonly=True,
        copy=False,
        help="The current secret was displayed once; rotate it to display a new one.",
    )
    rotation_overlap_hours = fields.Integer(
        string="Rotation Overlap (h)",
        default=24,
        help="How long the previous secret still counts after a rotation.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not vals.get("secret"):
                vals["secret"] = generate_secret()
            vals["secret_hint"] = self._wfmon_secret_hint(vals["secret"])
        return super().create(vals_list)

    def write(self, vals):
        if "secret" in vals:
            if not vals["secret"] and self._wfmon_secret_required:
                vals["secret"] = generate_secret()
            vals["secret_hint"] = self._wfmon_secret_hint(vals["secret"])
            vals["secret_shown"] = False
        return super().write(vals)

    @api.model
    def _wfmon_secret_hint(self, secret):
        return f"whsec_…{secret[-4:]}" if secret else False

    def _wfmon_secret_texts(self, until=None):
        """The chatter messages of a rotation (``rotated``, the overlap ending
        at ``until``), a display (``displayed``) and a second display attempt
        (``already_displayed``)."""
        return {
            "rotated": self.env._(
                "Signing secret rotated; the previous one signs too until %s (UTC).", until
            ),
            "displayed": self.env._("Signing secret displayed."),
            "already_displayed": self.env._(
                "This secret was already displayed. Rotate it to get a new one; the "
                "current one keeps signing during the overlap."
            ),
        }

    def _wfmon_check_secret_admin(self):
        if not self.env.is_superuser() and not self.env.user.has_group(ADMIN_GROUP):
            raise AccessError(
                self.env._("Only monitoring administrators can see or rotate secrets.")
            )

    def action_rotate_secret(self):
        """New secret; the previous one keeps counting during the overlap."""
        self.ensure_one()
        self._wfmon_check_secret_admin()
        now = fields.Datetime.now()
        self.write(
            {
                "previous_secret": self.secret,
                "previous_secret_until": now + timedelta(hours=self.rotation_overlap_hours),
                "secret": generate_secret(),
            }
        )
        self.message_post(body=self._wfmon_secret_texts(self.previous_secret_until)["rotated"])
        return self.action_reveal_secret()

    def action_reveal_secret(self):
        """Display the current secret, once: afterwards only a rotation
        produces (and displays) a new one."""
        self.ensure_one()
        self._wfmon_check_secret_admin()
        texts = self._wfmon_secret_texts()
        if self.secret_shown:
            raise UserError(texts["already_displayed"])
        self.secret_shown = True
        self.message_post(body=texts["displayed"])
        return self.env["wfmon.secret.reveal"]._open_for(self)

    def _wfmon_active_secrets(self, now):
        """The secrets that count at ``now``: the current one, plus the previous
        one during the rotation overlap."""
        self.ensure_one()
        # sudo: secrets are admin-only fields; signing and verifying run for
        # everyone (the dispatcher, the inbound controller without a user).
        record = self.sudo()
        return active_secrets(
            record.secret, record.previous_secret, record.previous_secret_until, now
        )
