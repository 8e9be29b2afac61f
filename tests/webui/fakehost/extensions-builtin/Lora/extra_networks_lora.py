"""The Lora built-in's ExtraNetworkLora as observed in v1.10.1 (own code; see host notes)."""
import networks

from modules import extra_networks, shared


class ExtraNetworkLora(extra_networks.ExtraNetwork):
    def __init__(self):
        super().__init__("lora")
        self.errors = {}

    def activate(self, p, params_list):
        additional = shared.opts.sd_lora
        self.errors.clear()
        if (additional != "None" and additional in networks.available_networks
                and not any(x for x in params_list if x.items[0] == additional)):
            multiplier = shared.opts.extra_networks_default_multiplier
            p.all_prompts = [x + f"<lora:{additional}:{multiplier}>" for x in p.all_prompts]
            params_list.append(extra_networks.ExtraNetworkParams(items=[additional, multiplier]))
        names, te, unet, dyn = [], [], [], []
        for params in params_list:
            assert params.items
            names.append(params.positional[0])
            te_m = float(params.positional[1]) if len(params.positional) > 1 else 1.0
            te_m = float(params.named.get("te", te_m))
            unet_m = float(params.positional[2]) if len(params.positional) > 2 else te_m
            unet_m = float(params.named.get("unet", unet_m))
            dyn_dim = int(params.positional[3]) if len(params.positional) > 3 else None
            dyn_dim = int(params.named["dyn"]) if "dyn" in params.named else dyn_dim
            te.append(te_m)
            unet.append(unet_m)
            dyn.append(dyn_dim)
        networks.load_networks(names, te, unet, dyn)
        if shared.opts.lora_add_hashes_to_infotext:
            if not getattr(p, "is_hr_pass", False) or not hasattr(p, "lora_hashes"):
                p.lora_hashes = {}
            for item in networks.loaded_networks:
                if item.network_on_disk.shorthash and item.mentioned_name:
                    p.lora_hashes[item.mentioned_name.replace(":", "").replace(",", "")] = \
                        item.network_on_disk.shorthash
            if p.lora_hashes:
                p.extra_generation_params["Lora hashes"] = ", ".join(f"{k}: {v}" for k, v in p.lora_hashes.items())

    def deactivate(self, p):
        if self.errors:
            p.comment("Networks with errors: " + ", ".join(f"{k} ({v})" for k, v in self.errors.items()))
            self.errors.clear()
        # restores nothing: the weights stay merged until a later forward wants another set
