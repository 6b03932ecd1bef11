"""Files and the workspace: the shipped reference base and the GeoPackage workspace."""

from territory.io.geodata import build_region, read_manifest, read_reference
from territory.io.workspace import Workspace, default_workspace_path

__all__ = ["Workspace", "build_region", "default_workspace_path", "read_manifest",
           "read_reference"]
