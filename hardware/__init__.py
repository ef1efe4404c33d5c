"""What the machine has and which engine settings fit it. A leaf: imports nothing of Belfort."""

from hardware.detect import Hardware, detect
from hardware.profile import Profile, fallback_profile, machine_profile, profile

__all__ = ["Hardware", "Profile", "detect", "fallback_profile", "machine_profile", "profile"]
