# wfmon: the official Odoo 18.0 image plus the Python packages the wfmon addons need.
# The addons themselves are mounted at /mnt/extra-addons by docker-compose.yml.
FROM odoo:18.0

USER root
COPY requirements-docker.txt /tmp/requirements-docker.txt
# The image's Python is Ubuntu's system interpreter (PEP 668), hence --break-system-packages.
RUN pip3 install --no-cache-dir --break-system-packages -r /tmp/requirements-docker.txt \
    && rm -f /tmp/requirements-docker.txt
USER odoo
