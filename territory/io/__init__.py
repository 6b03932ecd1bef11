"""Files and the workspace: the shipped reference base, the GeoPackage workspace, imports."""

from territory.io.geodata import build_region, read_manifest, read_reference
from territory.io.importing import ImportReport, import_file
from territory.io.places import read_places
from territory.io.workspace import Workspace, default_workspace_path

__all__ = ["ImportReport", "Workspace", "build_region", "default_workspace_path", "import_file",
           "read_manifest", "read_places", "read_reference"]
