import Gateway
print("gatehouse")
