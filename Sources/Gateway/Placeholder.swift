import Hummingbird
import AsyncHTTPClient
import Crypto
import Logging
import ServiceLifecycle
