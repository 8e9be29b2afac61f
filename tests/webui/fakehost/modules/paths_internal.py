import os
import tempfile

data_path = os.environ.get("EASYDRAG_FAKE_DATA_DIR") or tempfile.mkdtemp(prefix="fake-webui-")
default_output_dir = os.path.join(data_path, "outputs")
