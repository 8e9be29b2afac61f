"""modules/sd_vae.py surface the infotext uses (own code): the externally loaded VAE file, if any."""
import os

loaded_vae_file = None
vae_hashes = {}   # file -> sha256[:10]; the host hashes the file, the fake is told


def get_loaded_vae_name():
    return os.path.basename(loaded_vae_file) if loaded_vae_file else None


def get_loaded_vae_hash():
    return vae_hashes.get(loaded_vae_file) if loaded_vae_file else None
