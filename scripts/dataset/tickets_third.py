# Hand-written scenarios, third batch. See tickets_billing_shipping.py.

THIRD_BILLING = [
    ("normal", "Money back?", "I sent the chair back two weeks ago and still no money back on my Visa. When?"),
    ("high", "Direct debit taken twice", "The direct debit for my instalment was collected twice this month, 2 x 58.33. Please return one."),
    ("normal", "Invoice shows wrong product", "My invoice lists a 'toaster' but I bought a waffle maker. I need a corrected invoice for the warranty."),
    ("normal", "Missing discount on receipt", "The staff discount I'm entitled to isn't on the receipt, I paid 10% too much."),
    ("low", "Can I get a paper receipt?", "For my records, can you mail me a printed receipt?"),
    ("urgent", "Bank froze my card after your charges", "My bank froze my card after 6 payment attempts from your shop in a minute. I'm abroad with no other card. Please confirm which charges are real and cancel the rest now."),
    ("normal", "Refund to gift card instead of card", "My refund went onto a gift card but I paid with Mastercard. Please move it to my card."),
    ("normal", "Payment pending for days", "Payment is 'pending' on my bank for 5 days and the order still says awaiting payment."),
    ("normal", "VAT number not accepted at checkout", "Checkout rejects our valid EU VAT number so we're charged VAT we shouldn't pay. Can you refund the VAT part?"),
    ("high", "Charged after free trial cancelled", "I cancelled the free trial of the filter subscription before the end, you still charged 29.99. Refund please."),
    ("normal", "Remboursement non reçu", "Bonjour, j'attends toujours le remboursement de ma commande annulée il y a deux semaines. Pouvez-vous vérifier ?"),
    ("normal", "Gutschrift fehlt", "Für die Retoure vom 4. März habe ich noch keine Gutschrift erhalten. Bitte prüfen."),
    ("normal", "Cobro incorrecto", "En mi extracto aparece un cargo de 120 euros pero mi pedido costaba 95. ¿Por qué?"),
    ("low", "Price includes VAT?", "Are the prices on the UK site shown with or without VAT?"),
    ("normal", "Got invoice for someone else's order", "The invoice attached to my order email has another customer's name and address on it."),
    ("normal", "refund less shipping?", "why was the shipping cost deducted from my refund? the item was faulty"),
]

THIRD_OTHERS = {
    "shipping": [
        ("normal", "Parcel went to old address", "You shipped to my previous address even though I changed it in my profile before ordering."),
        ("high", "Cold chain item sitting in depot", "My order with the wine fridge has been sitting in the depot in 30 degree heat for 4 days. Can you get it moving?"),
        ("normal", "Lieferung unvollständig", "Es wurden nur 2 von 3 Paketen geliefert. Wo ist das dritte?"),
        ("low", "Gift note with delivery", "Can the delivery include a note that it's a gift, without the price?"),
        ("normal", "No answer from courier hotline", "The courier's hotline never answers. My parcel has been 'out for delivery' for three days."),
    ],
    "returns": [
        ("normal", "Return a duplicate order", "I accidentally ordered the same vacuum twice. Both arrived. How do I send one back?"),
        ("normal", "Renvoyer un article", "Je souhaite renvoyer le grille-pain, il ne me convient pas. Comment faire ?"),
        ("high", "Refused my return at drop-off", "The parcel shop refused my return because the label barcode doesn't scan. My return period ends tomorrow."),
        ("low", "Return without account", "I ordered as a guest. Can I still start a return online?"),
        ("normal", "Item too big, want to send back", "The shelf is much bigger than the photos suggested. I want to send it back."),
    ],
    "technical": [
        ("normal", "Toaster only heats one side", "The toaster only heats on the left side, the right slot stays cold."),
        ("normal", "Unable to upload photo in review form", "The product review form fails with 'upload error' when I add a photo."),
        ("high", "Electric shock from kettle", "I felt a small electric shock touching the kettle base. I've stopped using it. Is it safe?"),
        ("normal", "Lautsprecher verbindet nicht", "Der Lautsprecher verbindet sich nicht mehr mit dem WLAN nach dem Router-Wechsel."),
        ("low", "Which app version supports widgets?", "Does the latest app version support home screen widgets?"),
    ],
    "account": [
        ("normal", "Change account language", "My account emails arrive in German but I want English. Where do I change this?"),
        ("high", "Someone ordered with my account", "There's an order in my account history I didn't place. Please secure my account."),
        ("normal", "Cuenta bloqueada", "Mi cuenta está bloqueada después de varios intentos de acceso. ¿Podéis desbloquearla?"),
        ("low", "Keep me logged in", "Why do I get logged out of my account every day?"),
        ("normal", "Verify phone number", "The SMS code to verify my phone number on my profile never arrives."),
    ],
    "sales": [
        ("normal", "Coming back in stock alert", "Can you notify me when the oak coffee table is available again? I want to buy two."),
        ("normal", "Angebot Hotelausstattung", "Wir eröffnen ein Hotel mit 40 Zimmern und suchen Wasserkocher und Föhne. Bitte um ein Angebot."),
        ("low", "Is there a cheaper version?", "Is there a cheaper model of the robot vacuum without the mop function?"),
        ("high", "Buying for a film set, need today", "We need 10 vintage-style lamps for a film set tomorrow. Do you have them in stock for same-day pickup?"),
        ("normal", "Question before ordering a mattress", "Before I order, does the mattress come with a trial period and what firmness is it?"),
    ],
}
