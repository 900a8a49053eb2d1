/** The course's class values for ∂E/∂w1..∂E/∂w8 at iteration 0 (reference file, section 4), for the workbook check. */
export const GOLDEN_GRADIENTS = [
  1.882556669e-4, 3.765113339e-4, 2.248134626e-4, 4.496269252e-4, 0.07215707291, 0.07269074519, -0.04245525009, -0.04276924828,
];
