"""DDIM (eta 0) on ldm's "uniform" timesteps: inversion and denoising steps.

Inversion step i evaluates the UNet on latent z_i at the *next* timestep ts[i]
(as the official `invert()` does) and produces z_{i+1}; denoising step i is its
exact algebraic inverse given the same noise estimate.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import List

import numpy as np
import torch


@dataclass(frozen=True)
class DDIMSchedule:
    timesteps: List[int]      # ts[i], ascending: [1, 21, ..., 981] for 50 steps
    alphas: List[float]       # alpha_cumprod at ts[i]
    alphas_prev: List[float]  # alpha_cumprod at ts[i-1]; alphas_cumprod[0] for i = 0

    @classmethod
    def make(cls, alphas_cumprod, num_steps: int) -> "DDIMSchedule":
        ac = torch.as_tensor(alphas_cumprod).detach().double().cpu().numpy()
        num_train = ac.shape[0]
        if not 1 <= num_steps <= num_train:
            raise ValueError(f"inversion_steps must be in [1, {num_train}], got {num_steps}")
        stride = num_train // num_steps
        # ldm's make_ddim_timesteps("uniform") is range(0, T, T // n) + 1; taking exactly
        # n of them keeps the step count equal to n when n does not divide T.
        ts = (np.arange(num_steps) * stride + 1).tolist()
        alphas = [float(ac[t]) for t in ts]
        alphas_prev = [float(ac[0])] + alphas[:-1]
        return cls(ts, alphas, alphas_prev)

    def __len__(self) -> int:
        return len(self.timesteps)

    def invert_step(self, z: torch.Tensor, eps: torch.Tensor, i: int) -> torch.Tensor:
        """z_i (noise level ts[i-1]) -> z_{i+1} (noise level ts[i])."""
        a_from, a_to = self.alphas_prev[i], self.alphas[i]
        x0 = (z - (1 - a_from) ** 0.5 * eps) / a_from ** 0.5
        return a_to ** 0.5 * x0 + (1 - a_to) ** 0.5 * eps

    def denoise_step(self, z: torch.Tensor, eps: torch.Tensor, i: int) -> torch.Tensor:
        """z_{i+1} (noise level ts[i]) -> z_i (noise level ts[i-1])."""
        a_from, a_to = self.alphas[i], self.alphas_prev[i]
        x0 = (z - (1 - a_from) ** 0.5 * eps) / a_from ** 0.5
        return a_to ** 0.5 * x0 + (1 - a_to) ** 0.5 * eps
