"""Named limits on what one record may hold.

Every limit has a name so the API documentation, the validators and the
error messages agree; change a limit here and all three follow.
"""

from decimal import Decimal

MAX_REFERENCE_LENGTH = 100
MAX_NAME_LENGTH = 200
MAX_ADDRESS_LINE_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 500
MAX_URL_LENGTH = 2000
MAX_PHONE_LENGTH = 40
MAX_EMAIL_LENGTH = 254
MAX_LINE_ITEMS = 200
MAX_HOUSE_BILLS_PER_MANIFEST = 10_000
MAX_MONEY = Decimal("1000000000")  # 1e9 in any currency: larger is a keying error
MAX_QUANTITY = Decimal("10000000")
MAX_WEIGHT_KG = Decimal("100000")
