"""What the machine has and which engine settings fit it. A leaf: imports nothing of Belfort."""

from hardware.detect import Hardware, detect
from hardware.profile import Profile, profile

__all__ = ["Hardware", "Profile", "detect", "profile"]
