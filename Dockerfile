# wfmon: the official Odoo 18.0 image plus the Python packages the wfmon addons need
# (requirements.txt) and the OCA addons they use, as wheels from PyPI (requirements-oca.txt).
# The addons themselves are mounted at /mnt/extra-addons by docker-compose.yml.
FROM odoo:18.0

USER root
COPY requirements.txt requirements-oca.txt /tmp/wfmon/
# The image's Python is Ubuntu's system interpreter (PEP 668), hence --break-system-packages.
# The OCA wheels require odoo==18.0.*: the image's own Odoo package.
RUN pip3 install --no-cache-dir --break-system-packages \
        -r /tmp/wfmon/requirements.txt -r /tmp/wfmon/requirements-oca.txt \
    && rm -rf /tmp/wfmon
USER odoo
