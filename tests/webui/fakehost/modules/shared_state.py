import time

from modules import devices


class State:
    """shared.state with the host's fields; `history` and `hook` exist only for tests."""

    skipped = False
    interrupted = False
    stopping_generation = False
    job = ""
    job_no = 0
    job_count = 0
    sampling_step = 0
    sampling_steps = 0
    current_latent = None
    current_image = None
    id_live_preview = 0
    time_start = None

    def __init__(self):
        self._textinfo = None
        self.history = []        # every textinfo set, in order
        self.images = []         # every assigned preview
        self.hook = None         # called after each textinfo change
        self.begun = 0
        self.ended = 0

    @property
    def textinfo(self):
        return self._textinfo

    @textinfo.setter
    def textinfo(self, value):
        self._textinfo = value
        if value is not None:
            self.history.append(value)
            if self.hook is not None:
                self.hook(self)

    def skip(self):
        self.skipped = True

    def interrupt(self):
        self.interrupted = True

    def stop_generating(self):
        self.stopping_generation = True

    def nextjob(self):
        self.job_no += 1
        self.sampling_step = 0

    def begin(self, job="(unknown)"):
        self.sampling_step = 0
        self.time_start = time.time()
        self.job_count = -1
        self.job_no = 0
        self.current_latent = None
        self.current_image = None
        self.id_live_preview = 0
        self.skipped = False
        self.interrupted = False
        self.stopping_generation = False
        self._textinfo = None
        self.job = job
        self.begun += 1
        devices.torch_gc()

    def end(self):
        self.job = ""
        self.job_count = 0
        self.ended += 1
        devices.torch_gc()

    def set_current_image(self):
        pass

    def do_set_current_image(self):
        pass

    def assign_current_image(self, image):
        self.current_image = image
        self.images.append(image)
        self.id_live_preview += 1

    def dict(self):
        return {"skipped": self.skipped, "interrupted": self.interrupted, "job": self.job,
                "job_count": self.job_count, "job_no": self.job_no,
                "sampling_step": self.sampling_step, "sampling_steps": self.sampling_steps}
