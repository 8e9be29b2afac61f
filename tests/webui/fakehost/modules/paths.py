from modules.paths_internal import data_path, default_output_dir  # noqa: F401
