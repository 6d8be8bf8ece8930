print("lbp")
