# -*- coding: utf-8 -*-
"""The WSGI entry point uWSGI loads (stack/uwsgi/ckan-uwsgi.ini): CKAN's own ``wsgi.py``
(ckan/ckan repository root), reading the ini file from ``CKAN_INI``."""
import os
from logging.config import fileConfig as logging_file_config

from ckan.cli import CKANConfigLoader
from ckan.config.middleware import make_app

config_filepath = os.environ["CKAN_INI"]
logging_file_config(config_filepath, disable_existing_loggers=False)
config = CKANConfigLoader(config_filepath).get_config()
application = make_app(config)
