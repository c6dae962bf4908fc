fn main() {} // placeholder: the webhooks helper replaces this
