# ckanext is a namespace package shared with CKAN core and other extensions.
import pkgutil

__path__ = pkgutil.extend_path(__path__, __name__)
