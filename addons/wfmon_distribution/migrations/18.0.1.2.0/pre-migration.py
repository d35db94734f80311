"""The demo's second warehouse (Distribution East, DEA) got its monitoring site by
itself when it was created, before the demo named that site ``demo_site_east``. The
demo now creates the site first, so an upgraded demo database would try to create a
second site with the same code: the site the warehouse already has becomes
``demo_site_east``, and the demo updates it instead."""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        "SELECT 1 FROM ir_model_data"
        " WHERE module = 'wfmon_distribution' AND name = 'demo_site_east'"
    )
    if cr.fetchone():
        return
    cr.execute(
        """SELECT wh.wfmon_site_id
             FROM ir_model_data d
             JOIN stock_warehouse wh ON wh.id = d.res_id
            WHERE d.module = 'wfmon_distribution' AND d.name = 'demo_wh_east'
              AND d.model = 'stock.warehouse' AND wh.wfmon_site_id IS NOT NULL"""
    )
    row = cr.fetchone()
    if not row:
        return
    cr.execute(
        """INSERT INTO ir_model_data (module, name, model, res_id, noupdate)
           VALUES ('wfmon_distribution', 'demo_site_east', 'wfmon.site', %s, false)""",
        row,
    )
