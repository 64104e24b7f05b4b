import Yams
import Crypto
